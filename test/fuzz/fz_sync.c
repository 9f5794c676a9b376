/*
 * Fuzz target: what a master sends a slave (lib/sync/proto): delta and
 * snapshot answers, the /sync/cert body and fingerprints, plus the
 * slave's own sync/state read back (lib/sync/state).  An accepted delta
 * must hold gapless events from since + 1; an accepted snapshot, entries
 * with UUID ids.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/uuid.h"
#include "sync/proto.h"
#include "sync/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
delta(const char *buf, size_t len, uint64_t since)
{
	struct rb_sync_delta d;
	struct rb_err e = { 0 };
	size_t i;
	json_t *ev;

	if (rb_sync_proto_delta_parse(&d, buf, len, since, &e) < 0)
		return;
	json_array_foreach (d.events, i, ev) {
		if ((uint64_t)json_integer_value(json_object_get(ev, "seq")) !=
		    since + 1 + i)
			__builtin_trap();
	}
	if (d.seq < since + json_array_size(d.events) ||
	    !rb_uuid_valid(d.epoch))
		__builtin_trap();
	rb_sync_proto_delta_fini(&d);
}

static void
snapshot(const char *buf, size_t len)
{
	struct rb_sync_snapshot s;
	struct rb_err e = { 0 };
	size_t i;
	json_t *v;

	if (rb_sync_proto_snapshot_parse(&s, buf, len, &e) < 0)
		return;
	for (int c = 0; c < RB_COLL_N; c++) {
		if (s.coll_seq[c] > s.seq)
			__builtin_trap();
		json_array_foreach (s.colls[c], i, v) {
			if (!rb_uuid_valid(
			        json_string_value(json_object_get(v, "id"))))
				__builtin_trap();
		}
	}
	rb_sync_proto_snapshot_fini(&s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	char fp[RB_SYNC_FP_LEN], num[32];
	struct rb_sync_state st;
	struct rb_err e = { 0 };
	uint64_t v;

	delta(buf, size, 0);
	delta(buf, size, 5);
	snapshot(buf, size);
	if (rb_sync_proto_cert_parse(buf, size, fp, &e) == 0 &&
	    strlen(fp) != 95)
		__builtin_trap();
	if (rb_sync_proto_fp_parse(buf, size, fp) == 0 && strlen(fp) != 95)
		__builtin_trap();
	(void)rb_sync_state_parse(&st, buf, size, &e);
	if (size < sizeof num) {
		memcpy(num, buf, size);
		num[size] = '\0';
		(void)rb_sync_proto_parse_u64(num, &v);
	}
	return 0;
}
