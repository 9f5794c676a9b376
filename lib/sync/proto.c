/*
 * proto: checks on what a master sends a slave.
 *
 * A slave writes what it receives into its own journal and store, and
 * names files after feed ids, so nothing from the wire goes further
 * than these functions until it has the shape the journal and store
 * expect: events exactly {"seq","ts","event","fields"} with gapless seqs,
 * store events carrying a UUID id, entries with unique UUID ids, epochs
 * and feed ids that are UUIDs (so never a path), hashes that are hex.
 * jansson parses (it bounds nesting depth, refuses invalid UTF-8 and,
 * with JSON_REJECT_DUPLICATES, duplicate keys); the checks here bound the
 * rest.  On failure nothing is kept.
 */

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/hex.h"
#include "base/uuid.h"
#include "state/entry.h"
#include "sync/proto.h"
#include "wire/rr.h"

static int
bad(struct rb_err *e, const char *what)
{
	return rb_err_set(e, RB_ERR_REMOTE, "BAD_RESPONSE", "master sent %s",
	    what);
}

static json_t *
load(const char *buf, size_t len, size_t max, struct rb_err *e)
{
	json_error_t jerr;
	json_t *doc;

	if (len > max) {
		bad(e, "an answer over the size limit");
		return NULL;
	}
	doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL) {
		rb_err_set(e, RB_ERR_REMOTE, "BAD_RESPONSE",
		    "master sent invalid JSON: "
		    "%.200s",
		    jerr.text);
		return NULL;
	}
	if (!json_is_object(doc)) {
		json_decref(doc);
		bad(e, "JSON that is not an object");
		return NULL;
	}
	return doc;
}

/* A non-negative integer member. */
static int
get_u64(const json_t *o, const char *k, uint64_t *out)
{
	json_t *v = json_object_get(o, k);

	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return -1;
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int
get_epoch(const json_t *o, char out[RB_SYNC_EPOCH_LEN])
{
	const char *s = json_string_value(json_object_get(o, "epoch"));

	if (s == NULL || !rb_uuid_valid(s) || strlen(s) >= RB_SYNC_EPOCH_LEN)
		return -1;
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

static int
event_name_ok(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++) {
		if (!(islower((unsigned char)s[n]) ||
		        isdigit((unsigned char)s[n]) || s[n] == '_'))
			return 0;
	}
	return n >= 1 && n <= 64;
}

static int
is_hex64(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++) {
		if (!isdigit((unsigned char)s[n]) && (s[n] < 'a' || s[n] > 'f'))
			return 0;
	}
	return n == 64;
}

/* A store entry's id: a UUID, or for a zones build its SHA-256. */
static int
id_ok(int c, const char *id)
{
	return id != NULL &&
	    (c == RB_COLL_ZONES ? is_hex64(id) : rb_uuid_valid(id));
}

/* Can this slave build entry v of collection c into data/?  An entry it
 * cannot, once journaled, would fail every later write and even a
 * snapshot (each starts by rebuilding data/), so the answer holding it is
 * refused instead; why says what is wrong. */
static int
servable(int c, const json_t *v, struct rb_err *why)
{
	struct rb_rr rr;
	json_t *out = NULL;
	int r = 0;

	if (c == RB_COLL_DNS) {
		if ((r = rb_entry_dns_rr(v, &rr, why)) == 0)
			rb_rr_fini(&rr);
	} else if (c == RB_COLL_BLACKLIST) {
		r = rb_entry_block(v, &out, why);
	} else if (c == RB_COLL_ALLOWLIST) {
		r = rb_entry_allow(v, &out, why);
	}
	json_decref(out);
	return r == 0;
}

int
rb_sync_proto_event_check(const json_t *ev, uint64_t want, struct rb_err *e)
{
	const char *name = json_string_value(json_object_get(ev, "event"));
	json_t *fields = json_object_get(ev, "fields");
	struct rb_err why = { 0 };
	uint64_t seq, ts;
	size_t n;

	if (!json_is_object(ev) || json_object_size(ev) != 4)
		return bad(e, "an event that is not {seq,ts,event,fields}");
	if (get_u64(ev, "seq", &seq) < 0 || get_u64(ev, "ts", &ts) < 0)
		return bad(e, "an event without seq or ts");
	if (seq != want)
		return rb_err_set(e, RB_ERR_REMOTE, "BAD_RESPONSE",
		    "master sent seq "
		    "%llu where %llu was due",
		    (unsigned long long)seq, (unsigned long long)want);
	if (name == NULL || !event_name_ok(name))
		return bad(e, "an event with a bad name");
	if (!json_is_object(fields))
		return bad(e, "an event whose fields are not an object");
	if (rb_store_coll_of(name) >= 0 &&
	    !id_ok(rb_store_coll_of(name),
	        json_string_value(json_object_get(fields, "id"))))
		return bad(e, "a store event without a valid id");
	n = strlen(name);
	if (n > 4 && strcmp(name + n - 4, "_add") == 0 &&
	    !servable(rb_store_coll_of(name), fields, &why))
		return rb_err_set(e, RB_ERR_REMOTE, "BAD_RESPONSE",
		    "master sent a %s "
		    "this slave cannot serve (seq %llu): %s",
		    name, (unsigned long long)seq, why.details);
	return 0;
}

int
rb_sync_proto_feed_data_check(const json_t *fd, struct rb_err *e)
{
	const char *k;
	json_t *v;
	uint64_t size;

	if (!json_is_object(fd))
		return bad(e, "feed_data that is not an object");
	json_object_foreach ((json_t *)fd, k, v) {
		const char *h = json_string_value(json_object_get(v, "sha256"));

		if (!rb_uuid_valid(k) || !json_is_object(v) || h == NULL ||
		    !is_hex64(h) || get_u64(v, "size", &size) < 0)
			return bad(e, "a bad feed_data entry");
	}
	return 0;
}

static int
check_events(const json_t *events, uint64_t since, struct rb_err *e)
{
	size_t i;
	json_t *ev;

	if (!json_is_array(events))
		return bad(e, "events that are not an array");
	if (json_array_size(events) > RB_SYNC_DELTA_EVENTS)
		return bad(e, "too many events");
	json_array_foreach (events, i, ev) {
		if (rb_sync_proto_event_check(ev, since + 1 + i, e) < 0)
			return -1;
	}
	return 0;
}

int
rb_sync_proto_delta_parse(struct rb_sync_delta *d, const char *buf, size_t len,
    uint64_t since, struct rb_err *e)
{
	size_t n;

	memset(d, 0, sizeof *d);
	if (since >= (uint64_t)INT64_MAX - RB_SYNC_DELTA_EVENTS)
		return bad(e, "a delta past the largest seq");
	if ((d->doc = load(buf, len, RB_SYNC_DELTA_BYTES, e)) == NULL)
		return -1;
	d->events = json_object_get(d->doc, "events");
	d->feed_data = json_object_get(d->doc, "feed_data");
	if (get_epoch(d->doc, d->epoch) < 0 ||
	    get_u64(d->doc, "seq", &d->seq) < 0) {
		bad(e, "a delta without epoch or seq");
		goto fail;
	}
	if (json_object_get(d->doc, "oldest") != NULL &&
	    get_u64(d->doc, "oldest", &d->oldest) < 0) {
		bad(e, "a bad oldest seq");
		goto fail;
	}
	if (check_events(d->events, since, e) < 0)
		goto fail;
	n = json_array_size(d->events);
	if (d->seq < since + n) {
		bad(e, "events past its own seq");
		goto fail;
	}
	if (d->feed_data != NULL &&
	    rb_sync_proto_feed_data_check(d->feed_data, e) < 0)
		goto fail;
	return 0;
fail:
	rb_sync_proto_delta_fini(d);
	return -1;
}

void
rb_sync_proto_delta_fini(struct rb_sync_delta *d)
{
	json_decref(d->doc);
	memset(d, 0, sizeof *d);
}

/* The member of an entry that rb_store_key reads for collection c. */
static int
entry_ok(int c, const json_t *v)
{
	static const char *const need[RB_COLL_N][3] = {
		[RB_COLL_DNS] = { "name", "type", "value" },
		[RB_COLL_BLACKLIST] = { "domain", NULL, NULL },
		[RB_COLL_ALLOWLIST] = { "domain", NULL, NULL },
		[RB_COLL_FEEDS] = { "url", NULL, NULL },
		[RB_COLL_ZONES] = { NULL, NULL, NULL },
	};
	const char *id = json_string_value(json_object_get(v, "id"));

	if (!json_is_object(v) || !id_ok(c, id))
		return 0;
	for (int i = 0; i < 3 && need[c][i] != NULL; i++) {
		if (!json_is_string(json_object_get(v, need[c][i])))
			return 0;
	}
	return 1;
}

static int
check_coll(struct rb_sync_snapshot *s, int c, json_t *seqs, struct rb_err *e)
{
	const char *name = rb_store_coll_name((enum rb_coll)c);
	json_t *arr = json_object_get(s->doc, name), *ids, *v;
	size_t i;

	/* A master from before zones were replicated has none. */
	if (c == RB_COLL_ZONES && arr == NULL &&
	    json_object_get(seqs, name) == NULL)
		return 0;

	if (!json_is_array(arr) || get_u64(seqs, name, &s->coll_seq[c]) < 0 ||
	    s->coll_seq[c] > s->seq)
		return rb_err_set(e, RB_ERR_REMOTE, "BAD_RESPONSE",
		    "master sent a "
		    "snapshot without a valid %s collection",
		    name);
	if ((ids = json_object()) == NULL)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	json_array_foreach (arr, i, v) {
		const char *id = json_string_value(json_object_get(v, "id"));

		struct rb_err why = { 0 };

		if (!entry_ok(c, v) || json_object_get(ids, id) != NULL ||
		    json_object_set_new(ids, id, json_true()) < 0) {
			json_decref(ids);
			return rb_err_set(e, RB_ERR_REMOTE, "BAD_RESPONSE",
			    "master sent "
			    "a bad or repeated %s entry at index %zu",
			    name, i);
		}
		if (!servable(c, v, &why)) {
			json_decref(ids);
			return rb_err_set(e, RB_ERR_REMOTE, "BAD_RESPONSE",
			    "master sent "
			    "a %s entry this slave cannot serve at index %zu: "
			    "%s",
			    name, i, why.details);
		}
	}
	json_decref(ids);
	s->colls[c] = arr;
	return 0;
}

int
rb_sync_proto_snapshot_parse(struct rb_sync_snapshot *s, const char *buf,
    size_t len, struct rb_err *e)
{
	json_t *seqs;
	uint64_t fmt;

	memset(s, 0, sizeof *s);
	if ((s->doc = load(buf, len, RB_SYNC_SNAPSHOT_BYTES, e)) == NULL)
		return -1;
	seqs = json_object_get(s->doc, "store_seq");
	s->feed_data = json_object_get(s->doc, "feed_data");
	if (get_u64(s->doc, "format", &fmt) < 0 || fmt != RB_SYNC_FORMAT) {
		bad(e, "a snapshot of an unknown format");
		goto fail;
	}
	if (get_epoch(s->doc, s->epoch) < 0 ||
	    get_u64(s->doc, "seq", &s->seq) < 0 || !json_is_object(seqs) ||
	    s->seq >= (uint64_t)INT64_MAX) {
		bad(e, "a snapshot without epoch, seq or store_seq");
		goto fail;
	}
	for (int c = 0; c < RB_COLL_N; c++) {
		if (check_coll(s, c, seqs, e) < 0)
			goto fail;
	}
	if (s->feed_data != NULL &&
	    rb_sync_proto_feed_data_check(s->feed_data, e) < 0)
		goto fail;
	return 0;
fail:
	rb_sync_proto_snapshot_fini(s);
	return -1;
}

void
rb_sync_proto_snapshot_fini(struct rb_sync_snapshot *s)
{
	json_decref(s->doc);
	memset(s, 0, sizeof *s);
}

int
rb_sync_proto_fp_parse(const char *text, size_t len, char out[RB_SYNC_FP_LEN])
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i = 0, n = 0;
	int hi;

	while (len > 0 && isspace((unsigned char)text[len - 1]))
		len--;
	while (i < len && isspace((unsigned char)text[i]))
		i++;
	while (i < len) {
		if (n == 32 || i + 1 >= len ||
		    (hi = rb_hex_digit((unsigned char)text[i])) < 0 ||
		    rb_hex_digit((unsigned char)text[i + 1]) < 0)
			return -1;
		out[n * 3] = digits[hi];
		out[n * 3 + 1] =
		    digits[rb_hex_digit((unsigned char)text[i + 1])];
		out[n * 3 + 2] = ':';
		n++;
		i += 2;
		if (i < len && text[i] == ':' && i + 1 < len)
			i++;
	}
	if (n != 32)
		return -1;
	out[95] = '\0';
	return 0;
}

int
rb_sync_proto_cert_parse(const char *buf, size_t len, char out[RB_SYNC_FP_LEN],
    struct rb_err *e)
{
	json_t *doc = load(buf, len, 4096, e);
	const char *fp;
	int r = 0;

	if (doc == NULL)
		return -1;
	fp = json_string_value(json_object_get(doc, "fingerprint"));
	if (fp == NULL || rb_sync_proto_fp_parse(fp, strlen(fp), out) < 0)
		r = bad(e, "no valid fingerprint");
	json_decref(doc);
	return r;
}

int
rb_sync_proto_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	size_t n = 0;

	for (; s[n] != '\0'; n++) {
		if (!isdigit((unsigned char)s[n]) || n >= 20)
			return -1;
		if (v > (UINT64_MAX - (uint64_t)(s[n] - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[n] - '0');
	}
	if (n == 0)
		return -1;
	*out = v;
	return 0;
}
